import { mount } from 'svelte'
import App from './App.svelte'
import { createClient } from './lib/client'
import './app.css'

const target = document.getElementById('app')
if (!target) throw new Error('index.html has no #app element')

mount(App, { target, props: { client: createClient() } })
