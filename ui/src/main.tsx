import { render } from 'preact';
import { live } from './api/live.js';
import { App } from './app.js';
import './styles.css';

live.start();
const root = document.getElementById('app');
if (root !== null) render(<App />, root);
